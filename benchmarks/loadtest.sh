#!/usr/bin/env bash
# A busy morning (20 front desk, 150 advisors, 5 supervisors) against gunicorn and
# PostgreSQL on loopback, bounded in time; then the database is checked for lost or
# doubled writes. See README, "Lasttest". Needs: pip install -e '.[load]'.
#
#   benchmarks/loadtest.sh                 # 90 s against a fresh database zentrum_loadtest
#   ZENTRUM_LOAD_DURATION=60s benchmarks/loadtest.sh
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
SERVER=${ZENTRUM_LOAD_SERVER:-postgresql+psycopg://postgres@127.0.0.1:5432}
DB=${ZENTRUM_LOAD_DB:-zentrum_loadtest}
DURATION=${ZENTRUM_LOAD_DURATION:-90s}
PORT=${ZENTRUM_LOAD_PORT:-8123}
OUT=${ZENTRUM_LOAD_OUT:-$(mktemp -d /tmp/zentrum-load.XXXXXX)}
mkdir -p "$OUT"

# A fresh database of its own: dropped and created anew on every run.
"$VENV/bin/python" - "$SERVER" "$DB" <<'PY'
import sys
import sqlalchemy as sa
server, name = sys.argv[1], sys.argv[2]
engine = sa.create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
with engine.connect() as connection:
    connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
engine.dispose()
PY

export ZENTRUM_DATABASE_URL="$SERVER/$DB"
# Development settings: production marks cookies Secure, which a client on plain
# http://127.0.0.1 would not send back. CSRF, sessions and limits work as in production.
export ZENTRUM_CONFIG=development
SECRET_KEY=$("$VENV/bin/python" -c 'import secrets; print(secrets.token_hex(32))')
export SECRET_KEY
# 175 people log in from one address here; the default (10 a minute) stays for real use.
export ZENTRUM_LOGIN_RATE_LIMIT="100000 per minute"
# 175 simulated users log in once each; the second factor is not what is measured.
export ZENTRUM_TOTP_REQUIRED_ROLES=""
export ZENTRUM_RATELIMIT_STORAGE=${ZENTRUM_LOAD_REDIS:-redis://127.0.0.1:6379/15}
export ZENTRUM_LOAD_SETUP="$OUT/setup.json"
export ZENTRUM_LOAD_STATS="$OUT/final.json"

"$VENV/bin/zentrum" demo --no-serve > "$OUT/demo.log" 2>&1
"$VENV/bin/python" -m benchmarks.load_setup "$ZENTRUM_LOAD_SETUP"

"$VENV/bin/gunicorn" -c gunicorn.conf.py --bind "127.0.0.1:$PORT" 'zentrum:create_app()' \
    > "$OUT/gunicorn.log" 2>&1 &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
    if "$VENV/bin/python" -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$PORT/login')" 2>/dev/null; then
        break
    fi
    sleep 0.5
done

echo "Lasttest: $DURATION, 175 Benutzer, gunicorn auf 127.0.0.1:$PORT, Datenbank $DB"
# Five logins a second: the morning's arrivals, not all 175 Argon2 checks at one instant.
# At the end every user finishes its task (--stop-timeout): a request cut off in flight
# would be written by the server but never counted, and the checks would differ. The
# figures are taken after that (ZENTRUM_LOAD_STATS); locust's own CSV is written before.
"$VENV/bin/locust" -f benchmarks/locustfile.py --headless --users 175 --spawn-rate 5 \
    --run-time "$DURATION" --stop-timeout 180 --host "http://127.0.0.1:$PORT" --csv "$OUT/locust" \
    --only-summary > "$OUT/locust.log" 2>&1 || true
kill "$GUNICORN"
wait "$GUNICORN" 2>/dev/null || true
trap - EXIT

"$VENV/bin/python" -m benchmarks.load_check "$ZENTRUM_LOAD_SETUP" "$ZENTRUM_LOAD_STATS"
echo "Protokolle: $OUT"

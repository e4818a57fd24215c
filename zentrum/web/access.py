"""Role checks for views."""

from functools import wraps

from flask import abort
from flask_login import current_user

from zentrum.domain.vocab import Role


def roles_required(*roles: Role):
    """Only users with one of these roles may use the view (others get 403)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator

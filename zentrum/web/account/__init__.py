"""The own account of the logged-in user: password and second factor ("Mein Konto")."""

"""Users, roles, sign-in and sign-up."""

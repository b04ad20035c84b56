"""Favourites: products a shopper keeps to come back to. A guest's live in the session, a signed-in
shopper's in the database; at sign-in the guest's join the account's, as the cart does."""

"""Verified-buyer reviews: a buyer whose part was delivered rates each product once, the seller answers once,
the office hides an abusive one; and a seller's delivery record from its parts."""

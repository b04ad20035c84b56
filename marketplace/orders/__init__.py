"""Cart, checkout, orders split by seller, and THE order state machine."""

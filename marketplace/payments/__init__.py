"""Payment providers: Stripe Checkout for cards (card.py) and VietQR bank transfers (vietqr.py), and the
records of their payments and events. They know nothing of orders: `orders.payments` reports what they
say to the order pipeline."""

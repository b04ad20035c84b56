"""Payment providers (VietQR bank transfer, Stripe card) and their events; they report to the orders."""

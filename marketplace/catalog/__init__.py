"""Products, images and the storefront pages."""

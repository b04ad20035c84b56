"""Products and their photos: what a producer makes, as the council evaluated it and the seller describes it.
Below certification (whose listing rule reads a product) and the catalogue (which sells it)."""

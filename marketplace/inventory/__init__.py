"""Stock locations, stock levels and THE stock ledger (DESIGN §2 rule 2).

Every change of stock is a StockMovement written in the same transaction as the level it changes,
through the services here; levels only move by conditional UPDATEs, so on hand never goes below
zero and reserved never exceeds on hand, whatever runs at the same time."""

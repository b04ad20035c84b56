"""Gift combos: a curated box of OCOP products, possibly from several producers, at one price, fulfilled by
a sales point (from its shelf) or by the producers' warehouses. A combo is on sale only while every item is
(the listing rule); what can be had is the scarcest item's ⌊available ÷ quantity⌋ (the stock ledger)."""

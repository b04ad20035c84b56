"""Prices shown, approximately, in a visitor's currency: the rates table the office keeps (each rate with the
day it is of), the visitor's choice kept in the session, and the `approx` filter every price uses. The buyer
always pays in đồng; nothing here touches money that is charged."""

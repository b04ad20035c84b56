"""The money ledger: what the shop owes each producer, in double entry (issue 16).

Every event that moves money posts one `MoneyEntry` of balanced `MoneyLine`s (debits positive, credits
negative, summing to 0) between a few accounts: `cash` (what the operator received: its bank account and
the points' tills), `prepaid` (buyers' money held until their goods are delivered), `refunds_payable`,
`producer` (per seller: what the shop owes it), `commission` and `point_fees` (a sales point's parcel and
wrapping fees). Nothing is updated or deleted: a correction is another entry. Each entry has a unique
`once_key` (e.g. "delivered:part:12"), so an event is posted once whatever path reaches it twice.

Settlements knows nothing of orders or the counter: they post here, in the transaction that makes the
sale, the delivery or the return (see `orders.money`), and register what the ledger must agree with for
`flask settlements check` (see `check`).
"""

"""Community-tourism experiences (group VI: homestays, village tours, craft workshops): dated sessions with a
number of seats, booked by visitors and checked in by the host (issue 17).

A session's seats are claimed like stock: one guarded UPDATE per booking (`seats_taken + people <= capacity`),
so a session is never oversold, whatever the number of visitors booking at the same moment. A session is
offered only while its product is listable (the certification rule) and it starts after the booking cutoff.
"""

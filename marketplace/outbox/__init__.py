"""Email by outbox: services queue messages in the same transaction as the change they announce;
`flask outbox send` (or a timer) hands them to the configured backend: console, file or SMTP."""

"""/api/v1: JSON for mobile and partner clients, and its OpenAPI document."""

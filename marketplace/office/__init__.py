"""The provincial OCOP office: the verification queue, evaluations, the programme dashboard."""

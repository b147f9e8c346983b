"""The indicator workbench: review an indicator against cited criteria, draft indicators, suggest a marking code."""

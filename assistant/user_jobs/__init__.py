"""The users' jobs over search and answers: indicator workbench, delegation brief, figures, research toolkit, export."""

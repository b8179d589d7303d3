"""Speech: the speech engine (`engine/`, usable without Flask) and its CLI (`commands.py`)."""

"""Reading exports of any common shape into clean, typed rows."""

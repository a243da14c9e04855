"""Member casework: cases, their timelines, documents and deadlines."""

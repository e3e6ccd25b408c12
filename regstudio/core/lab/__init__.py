"""Everything a student made, in one plain-Python model (the Lab), and the file that keeps it."""

"""The course in the app: lesson pages and exercises as files, observations on runs, the Keras code, reports."""

"""What is written when something goes wrong: the redacted log and crash reports."""

"""Case work on her record: risk, case notes, support, orders, immigration, tasks."""

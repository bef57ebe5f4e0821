"""The home screen: today and this week at a glance."""

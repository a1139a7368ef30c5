"""Pages anyone can see: the start page, the privacy notice, and the quick exit."""

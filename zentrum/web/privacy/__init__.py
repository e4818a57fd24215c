"""Data protection: subject access (Art. 15) and the record of processing activities (Art. 30)."""

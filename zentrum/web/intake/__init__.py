"""The front desk: start page and intake of new enquiries."""

"""The fund itself (app label `fund`): the append-only ledger, capital commitments, and the
stored forecast scenarios and reports. Called by every app; calls none of them."""

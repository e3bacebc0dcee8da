"""NominationRound workflow: an award round from nominations to the signed decision and dossiers."""

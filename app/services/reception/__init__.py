"""The counter: receiving dossiers, handing results back, searching dossiers, drafts, printed slips, the
procedure catalogue and the office calendar."""

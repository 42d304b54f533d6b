"""The batch digitising screen of the digitisation clerk."""

"""Batch archive digitising: running a stack of pages split at separator sheets, the batch's lifecycle and
page images, and recording its documents into the warehouse."""

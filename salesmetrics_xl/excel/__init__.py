"""The Excel faces: functions (UDFs) and scripts (buttons), thin over the core."""

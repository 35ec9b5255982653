"""EDI acknowledgments both ways: judging what partners send and answering it (997, TA1,
CONTRL), and reading and matching what partners answer to what we sent."""

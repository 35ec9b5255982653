"""The work of each flow as plain functions: testable without Prefect, wrapped thinly by flows/."""

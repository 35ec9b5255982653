"""Values FreshBooks accepts (freshbooks-api.md): the sandbox enforces them, mappings check them."""

# Payment `type` values (NODE SDK Payment.ts enum); "Stripe" and "Wire Transfer" are refused.
PAYMENT_TYPES = (
    "Check",
    "Credit",
    "Cash",
    "Bank Transfer",
    "Credit Card",
    "Debit",
    "PayPal",
    "2Checkout",
    "VISA",
    "MASTERCARD",
    "DISCOVER",
    "AMEX",
    "DINERS",
    "JCB",
    "ACH",
    "Other",
)

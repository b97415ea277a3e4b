"""The gift catalog: symbolic gifts, a cart, honour cards, and checkout through payments."""

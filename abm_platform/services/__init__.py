"""Operations on the base layer's records. Nothing else saves these models."""

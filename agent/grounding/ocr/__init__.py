"""The offline `ocr` grounder: OCR engines, text matching, and fields beside their labels."""

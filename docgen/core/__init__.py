"""What every part of docgen uses: errors, atomic writes, text decoding, data files, validation,
Chinese formatting, tabular input, conditions and docx building helpers."""

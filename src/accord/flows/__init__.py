"""What spans domains: a decision answering its notices and producing its legal record."""

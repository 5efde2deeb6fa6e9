"""Files the platform hands out: the house Word writer, PDF from it, CSV for spreadsheets."""

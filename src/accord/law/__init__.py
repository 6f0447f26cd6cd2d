"""What the law fixes, independent of any domain: the EU's country lists (``eu``) and the DSA statement of
reasons in the exact shape the Transparency Database accepts (``sor``). Nothing here touches the database, so
every domain may build on it."""

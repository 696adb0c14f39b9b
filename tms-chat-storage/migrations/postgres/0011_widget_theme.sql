-- Widgets (issue 10): the colour scheme customers see ('light', 'dark' or 'auto', the
-- visitor's preference) and whether agents see what the customer types before it is sent.
ALTER TABLE widgets ADD COLUMN theme TEXT NOT NULL DEFAULT 'auto';
ALTER TABLE widgets ADD COLUMN typing_preview BOOLEAN NOT NULL DEFAULT FALSE;

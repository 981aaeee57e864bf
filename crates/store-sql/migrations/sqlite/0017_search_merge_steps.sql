-- FTS5 merged segments inside the write that added them: automatically, a little per write, but also all at once
-- when a level held `crisismerge` segments, and with `automerge` 16 every level reached that. At a million tickets
-- such a merge rewrote and deleted (secure-delete zeroes each freed page) hundreds of megabytes in one write, and
-- every write of the region waited 6-24 s behind it. Now no write merges: the indexer merges in steps of its own
-- (`'merge'` with a page budget, levels of `usermerge` segments), each a short unit of work that other writes
-- queue between. `crisismerge` stays as a safety valve, far above the 16 a level reaches before the indexer merges
-- it: a write merges only when that merging has fallen far behind (FTS5 refuses writes at 2,000 segments in all).
INSERT INTO ticket_search (ticket_search, rank) VALUES ('automerge', 0);
INSERT INTO ticket_search (ticket_search, rank) VALUES ('usermerge', 16);
INSERT INTO ticket_search (ticket_search, rank) VALUES ('crisismerge', 256);

-- migrations: 0001_initial_schema.py 0002_open_vocabularies.py 0003_bib_fields.py 0004_fts_for_tools.py 0005_short_name.py 0006_curation.py
CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
CREATE TABLE author (
	id INTEGER NOT NULL, 
	name VARCHAR NOT NULL, 
	given VARCHAR NOT NULL, 
	von VARCHAR NOT NULL, 
	family VARCHAR NOT NULL, 
	jr VARCHAR NOT NULL, 
	name_key VARCHAR NOT NULL, 
	family_key VARCHAR NOT NULL, 
	CONSTRAINT pk_author PRIMARY KEY (id), 
	CONSTRAINT uq_author_name_key UNIQUE (name_key)
);
CREATE INDEX ix_author_family_key ON author (family_key);
CREATE TABLE source (
	id INTEGER NOT NULL, 
	name VARCHAR NOT NULL, 
	list_name VARCHAR NOT NULL, 
	path VARCHAR NOT NULL, 
	dialect VARCHAR NOT NULL, 
	content_hash VARCHAR NOT NULL, 
	imported_at DATETIME NOT NULL, 
	entries_read INTEGER NOT NULL, 
	papers_created INTEGER NOT NULL, 
	papers_merged INTEGER NOT NULL, 
	papers_unchanged INTEGER NOT NULL, 
	entries_skipped INTEGER NOT NULL, 
	entries_failed INTEGER NOT NULL, title VARCHAR, repos VARCHAR, 
	CONSTRAINT pk_source PRIMARY KEY (id), 
	CONSTRAINT uq_source_name_content_hash UNIQUE (name, content_hash)
);
CREATE INDEX ix_source_name ON source (name);
CREATE TABLE category_alias (
	alias_key VARCHAR NOT NULL, 
	alias VARCHAR NOT NULL, 
	kind VARCHAR NOT NULL, 
	category_id INTEGER NOT NULL, 
	CONSTRAINT pk_category_alias PRIMARY KEY (alias_key), 
	CONSTRAINT ck_category_alias_kind CHECK (kind IN ('alias', 'heading')), 
	CONSTRAINT fk_category_alias_category_id_category FOREIGN KEY(category_id) REFERENCES category (id) ON DELETE CASCADE
);
CREATE INDEX ix_category_alias_category_id ON category_alias (category_id);
CREATE TABLE dataset_alias (
	alias_key VARCHAR NOT NULL, 
	alias VARCHAR NOT NULL, 
	dataset_id INTEGER NOT NULL, 
	CONSTRAINT pk_dataset_alias PRIMARY KEY (alias_key), 
	CONSTRAINT fk_dataset_alias_dataset_id_dataset FOREIGN KEY(dataset_id) REFERENCES dataset (id) ON DELETE CASCADE
);
CREATE INDEX ix_dataset_alias_dataset_id ON dataset_alias (dataset_id);
CREATE TABLE paper (
	id INTEGER NOT NULL, 
	citekey VARCHAR NOT NULL, 
	title VARCHAR NOT NULL, 
	title_key VARCHAR NOT NULL, 
	year INTEGER, 
	year_from_date BOOLEAN NOT NULL, 
	date VARCHAR, 
	venue_id INTEGER, 
	domain VARCHAR, 
	abstract VARCHAR, 
	summary VARCHAR, 
	arxiv_id VARCHAR, 
	doi VARCHAR, 
	authors_truncated BOOLEAN NOT NULL, 
	stars INTEGER, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, short_name VARCHAR, note VARCHAR, deleted_at DATETIME, 
	CONSTRAINT pk_paper PRIMARY KEY (id), 
	CONSTRAINT ck_paper_domain CHECK (domain IN ('industrial', 'medical', 'general')), 
	CONSTRAINT fk_paper_venue_id_venue FOREIGN KEY(venue_id) REFERENCES venue (id) ON DELETE SET NULL, 
	CONSTRAINT uq_paper_arxiv_id UNIQUE (arxiv_id), 
	CONSTRAINT uq_paper_citekey UNIQUE (citekey), 
	CONSTRAINT uq_paper_doi UNIQUE (doi)
);
CREATE INDEX ix_paper_title_key ON paper (title_key);
CREATE INDEX ix_paper_venue_id ON paper (venue_id);
CREATE INDEX ix_paper_year ON paper (year);
CREATE TABLE source_issue (
	id INTEGER NOT NULL, 
	source_id INTEGER NOT NULL, 
	line INTEGER NOT NULL, 
	kind VARCHAR NOT NULL, 
	reason VARCHAR NOT NULL, 
	CONSTRAINT pk_source_issue PRIMARY KEY (id), 
	CONSTRAINT ck_source_issue_kind CHECK (kind IN ('skipped', 'failed', 'problem')), 
	CONSTRAINT fk_source_issue_source_id_source FOREIGN KEY(source_id) REFERENCES source (id) ON DELETE CASCADE
);
CREATE INDEX ix_source_issue_source_id ON source_issue (source_id);
CREATE TABLE venue_alias (
	alias_key VARCHAR NOT NULL, 
	alias VARCHAR NOT NULL, 
	venue_id INTEGER NOT NULL, 
	CONSTRAINT pk_venue_alias PRIMARY KEY (alias_key), 
	CONSTRAINT fk_venue_alias_venue_id_venue FOREIGN KEY(venue_id) REFERENCES venue (id) ON DELETE CASCADE
);
CREATE INDEX ix_venue_alias_venue_id ON venue_alias (venue_id);
CREATE TABLE authorship (
	paper_id INTEGER NOT NULL, 
	position INTEGER NOT NULL, 
	author_id INTEGER NOT NULL, 
	CONSTRAINT pk_authorship PRIMARY KEY (paper_id, position), 
	CONSTRAINT fk_authorship_author_id_author FOREIGN KEY(author_id) REFERENCES author (id) ON DELETE CASCADE, 
	CONSTRAINT fk_authorship_paper_id_paper FOREIGN KEY(paper_id) REFERENCES paper (id) ON DELETE CASCADE
);
CREATE INDEX ix_authorship_author_id ON authorship (author_id);
CREATE TABLE change (
	id INTEGER NOT NULL, 
	paper_id INTEGER NOT NULL, 
	source_id INTEGER NOT NULL, 
	field VARCHAR NOT NULL, 
	old VARCHAR, 
	new VARCHAR, 
	CONSTRAINT pk_change PRIMARY KEY (id), 
	CONSTRAINT fk_change_paper_id_paper FOREIGN KEY(paper_id) REFERENCES paper (id) ON DELETE CASCADE, 
	CONSTRAINT fk_change_source_id_source FOREIGN KEY(source_id) REFERENCES source (id) ON DELETE CASCADE
);
CREATE INDEX ix_change_paper_id ON change (paper_id);
CREATE INDEX ix_change_source_id ON change (source_id);
CREATE TABLE citekey_alias (
	alias VARCHAR NOT NULL, 
	paper_id INTEGER NOT NULL, 
	CONSTRAINT pk_citekey_alias PRIMARY KEY (alias), 
	CONSTRAINT fk_citekey_alias_paper_id_paper FOREIGN KEY(paper_id) REFERENCES paper (id) ON DELETE CASCADE
);
CREATE INDEX ix_citekey_alias_paper_id ON citekey_alias (paper_id);
CREATE TABLE link (
	id INTEGER NOT NULL, 
	paper_id INTEGER NOT NULL, 
	role VARCHAR NOT NULL, 
	url VARCHAR NOT NULL, 
	CONSTRAINT pk_link PRIMARY KEY (id), 
	CONSTRAINT ck_link_role CHECK (role IN ('paper', 'arxiv', 'doi', 'code', 'code-unofficial', 'project', 'dataset')), 
	CONSTRAINT fk_link_paper_id_paper FOREIGN KEY(paper_id) REFERENCES paper (id) ON DELETE CASCADE, 
	CONSTRAINT uq_link_paper_id_role_url UNIQUE (paper_id, role, url)
);
CREATE INDEX ix_link_paper_id ON link (paper_id);
CREATE TABLE paper_category (
	paper_id INTEGER NOT NULL, 
	category_id INTEGER NOT NULL, 
	list_name VARCHAR NOT NULL, 
	CONSTRAINT pk_paper_category PRIMARY KEY (paper_id, category_id, list_name), 
	CONSTRAINT fk_paper_category_category_id_category FOREIGN KEY(category_id) REFERENCES category (id) ON DELETE CASCADE, 
	CONSTRAINT fk_paper_category_paper_id_paper FOREIGN KEY(paper_id) REFERENCES paper (id) ON DELETE CASCADE
);
CREATE INDEX ix_paper_category_category_id ON paper_category (category_id);
CREATE TABLE paper_dataset (
	paper_id INTEGER NOT NULL, 
	dataset_id INTEGER NOT NULL, 
	source_id INTEGER NOT NULL, 
	evidence VARCHAR NOT NULL, 
	raw VARCHAR NOT NULL, 
	CONSTRAINT pk_paper_dataset PRIMARY KEY (paper_id, dataset_id, source_id, evidence), 
	CONSTRAINT ck_paper_dataset_evidence CHECK (evidence IN ('datasets-line', 'abstract', 'import')), 
	CONSTRAINT fk_paper_dataset_dataset_id_dataset FOREIGN KEY(dataset_id) REFERENCES dataset (id) ON DELETE CASCADE, 
	CONSTRAINT fk_paper_dataset_paper_id_paper FOREIGN KEY(paper_id) REFERENCES paper (id) ON DELETE CASCADE, 
	CONSTRAINT fk_paper_dataset_source_id_source FOREIGN KEY(source_id) REFERENCES source (id) ON DELETE CASCADE
);
CREATE INDEX ix_paper_dataset_dataset_id ON paper_dataset (dataset_id);
CREATE TABLE provenance (
	id INTEGER NOT NULL, 
	paper_id INTEGER NOT NULL, 
	source_id INTEGER NOT NULL, 
	line INTEGER NOT NULL, 
	section VARCHAR, 
	raw_text VARCHAR NOT NULL, 
	reported VARCHAR NOT NULL, 
	CONSTRAINT pk_provenance PRIMARY KEY (id), 
	CONSTRAINT fk_provenance_paper_id_paper FOREIGN KEY(paper_id) REFERENCES paper (id) ON DELETE CASCADE, 
	CONSTRAINT fk_provenance_source_id_source FOREIGN KEY(source_id) REFERENCES source (id) ON DELETE CASCADE, 
	CONSTRAINT uq_provenance_source_id_line_paper_id UNIQUE (source_id, line, paper_id)
);
CREATE INDEX ix_provenance_paper_id ON provenance (paper_id);
CREATE INDEX ix_provenance_source_id ON provenance (source_id);
CREATE TABLE relation (
	subject_id INTEGER NOT NULL, 
	object_id INTEGER NOT NULL, 
	kind VARCHAR NOT NULL, 
	CONSTRAINT pk_relation PRIMARY KEY (subject_id, object_id, kind), 
	CONSTRAINT ck_relation_kind CHECK (kind IN ('extension_of', 'similar_to')), 
	CONSTRAINT fk_relation_object_id_paper FOREIGN KEY(object_id) REFERENCES paper (id) ON DELETE CASCADE, 
	CONSTRAINT fk_relation_subject_id_paper FOREIGN KEY(subject_id) REFERENCES paper (id) ON DELETE CASCADE
);
CREATE INDEX ix_relation_object_id ON relation (object_id);
CREATE TABLE "conflict" (
	id INTEGER NOT NULL, 
	source_id INTEGER NOT NULL, 
	line INTEGER NOT NULL, 
	kind VARCHAR NOT NULL, 
	field VARCHAR NOT NULL, 
	value VARCHAR NOT NULL, 
	paper_id INTEGER, 
	other_id INTEGER, 
	reason VARCHAR NOT NULL, 
	CONSTRAINT pk_conflict PRIMARY KEY (id), 
	CONSTRAINT ck_conflict_kind CHECK (kind IN ('id-title', 'id-shared', 'title-ids')), 
	CONSTRAINT fk_conflict_other_id_paper FOREIGN KEY(other_id) REFERENCES paper (id) ON DELETE SET NULL, 
	CONSTRAINT fk_conflict_paper_id_paper FOREIGN KEY(paper_id) REFERENCES paper (id) ON DELETE CASCADE, 
	CONSTRAINT fk_conflict_source_id_source FOREIGN KEY(source_id) REFERENCES source (id) ON DELETE CASCADE
);
CREATE INDEX ix_conflict_paper_id ON "conflict" (paper_id);
CREATE INDEX ix_conflict_source_id ON "conflict" (source_id);
CREATE TABLE field_source (
	paper_id INTEGER NOT NULL, 
	field VARCHAR NOT NULL, 
	list_name VARCHAR NOT NULL, 
	CONSTRAINT pk_field_source PRIMARY KEY (paper_id, field), 
	CONSTRAINT fk_field_source_paper_id_paper FOREIGN KEY(paper_id) REFERENCES paper (id) ON DELETE CASCADE
);
CREATE TABLE link_source (
	link_id INTEGER NOT NULL, 
	list_name VARCHAR NOT NULL, 
	CONSTRAINT pk_link_source PRIMARY KEY (link_id, list_name), 
	CONSTRAINT fk_link_source_link_id_link FOREIGN KEY(link_id) REFERENCES link (id) ON DELETE CASCADE
);
CREATE TABLE "category" (
	id INTEGER NOT NULL, 
	name VARCHAR NOT NULL, 
	title VARCHAR NOT NULL, 
	known BOOLEAN DEFAULT 1 NOT NULL, 
	CONSTRAINT pk_category PRIMARY KEY (id), 
	CONSTRAINT uq_category_name UNIQUE (name)
);
CREATE TABLE "dataset" (
	id INTEGER NOT NULL, 
	name VARCHAR NOT NULL, 
	family VARCHAR NOT NULL, 
	known BOOLEAN DEFAULT 1 NOT NULL, 
	CONSTRAINT pk_dataset PRIMARY KEY (id), 
	CONSTRAINT uq_dataset_name UNIQUE (name)
);
CREATE INDEX ix_dataset_family ON dataset (family);
CREATE TABLE "venue" (
	id INTEGER NOT NULL, 
	short_name VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	type VARCHAR, 
	known BOOLEAN DEFAULT 1 NOT NULL, 
	CONSTRAINT pk_venue PRIMARY KEY (id), 
	CONSTRAINT ck_venue_type CHECK (type IN ('conference', 'journal', 'workshop', 'preprint')), 
	CONSTRAINT uq_venue_short_name UNIQUE (short_name)
);
CREATE TABLE paper_field (
	paper_id INTEGER NOT NULL, 
	name VARCHAR NOT NULL, 
	value VARCHAR NOT NULL, 
	source_id INTEGER, 
	CONSTRAINT pk_paper_field PRIMARY KEY (paper_id, name), 
	CONSTRAINT fk_paper_field_paper_id_paper FOREIGN KEY(paper_id) REFERENCES paper (id) ON DELETE CASCADE, 
	CONSTRAINT fk_paper_field_source_id_source FOREIGN KEY(source_id) REFERENCES source (id) ON DELETE SET NULL
);
CREATE INDEX ix_paper_field_source_id ON paper_field (source_id);
CREATE VIRTUAL TABLE paper_fts USING fts5(
        title, abstract, summary,
        content="paper", content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2');
CREATE TRIGGER paper_fts_ai AFTER INSERT ON paper BEGIN
        INSERT INTO paper_fts(rowid, title, abstract, summary)
        VALUES (new.id, new.title, new.abstract, new.summary);
    END;
CREATE TRIGGER paper_fts_ad AFTER DELETE ON paper BEGIN
        INSERT INTO paper_fts(paper_fts, rowid, title, abstract, summary)
        VALUES ('delete', old.id, old.title, old.abstract, old.summary);
    END;
CREATE TRIGGER paper_fts_au AFTER UPDATE OF title, abstract, summary ON paper BEGIN
        INSERT INTO paper_fts(paper_fts, rowid, title, abstract, summary)
        VALUES ('delete', old.id, old.title, old.abstract, old.summary);
        INSERT INTO paper_fts(rowid, title, abstract, summary)
        VALUES (new.id, new.title, new.abstract, new.summary);
    END;
CREATE TABLE tag (
	paper_id INTEGER NOT NULL, 
	name VARCHAR NOT NULL, 
	CONSTRAINT pk_tag PRIMARY KEY (paper_id, name), 
	CONSTRAINT fk_tag_paper_id_paper FOREIGN KEY(paper_id) REFERENCES paper (id) ON DELETE CASCADE
);
CREATE INDEX ix_tag_name ON tag (name);
CREATE TABLE operation (
	id INTEGER NOT NULL, 
	kind VARCHAR NOT NULL, 
	summary VARCHAR NOT NULL, 
	at DATETIME NOT NULL, 
	undone_by INTEGER, 
	CONSTRAINT pk_operation PRIMARY KEY (id)
);
CREATE TABLE journal (
	id INTEGER NOT NULL, 
	operation_id INTEGER NOT NULL, 
	tbl VARCHAR NOT NULL, 
	row_id INTEGER NOT NULL, 
	row_last INTEGER NOT NULL, 
	action VARCHAR NOT NULL, 
	"before" VARCHAR, 
	CONSTRAINT pk_journal PRIMARY KEY (id), 
	CONSTRAINT ck_journal_action CHECK (action IN ('i', 'u', 'd')), 
	CONSTRAINT fk_journal_operation_id_operation FOREIGN KEY(operation_id) REFERENCES operation (id) ON DELETE CASCADE
);
CREATE INDEX ix_journal_operation_id ON journal (operation_id);
CREATE INDEX ix_journal_tbl_row_id ON journal (tbl, row_id);
INSERT INTO alembic_version (version_num) VALUES ('0006');

from datetime import UTC, datetime

import pytest

from connector.jobs.archive import Archive


@pytest.mark.parametrize("base", ["memory://archive-test", None])
def test_kept_files_can_be_read_back_and_are_never_overwritten(base, tmp_path):
    archive = Archive(base)
    when = datetime(2026, 3, 4, tzinfo=UTC)
    url = archive.keep("acme", "ACME_INV_1.csv", b"a,b\r\n", when)
    assert url.endswith("/acme/2026/03/ACME_INV_1.csv")
    assert Archive.read(url) == b"a,b\r\n"
    with pytest.raises(FileExistsError):
        archive.keep("acme", "ACME_INV_1.csv", b"other", when)

"""Filing deadlines around weekends and public holidays, for both election types."""

import datetime as dt

from complaints.deadlines import add_days, filing_deadline, is_late, is_working_day

D = dt.date


def test_election_day_and_cuti_bersama_are_not_working_days():
    assert not is_working_day(D(2024, 2, 14))  # Pemilu voting day
    assert not is_working_day(D(2024, 2, 9))  # cuti bersama, Chinese New Year
    assert not is_working_day(D(2024, 11, 27))  # Pilkada voting day
    assert not is_working_day(D(2024, 4, 8))  # cuti bersama, Idul Fitri
    assert is_working_day(D(2024, 2, 13))


def test_pemilu_counts_working_days_over_a_weekend(pemilu):
    # Known Monday 22 Jan 2024; no holidays until 8 Feb: 7 working days → Wednesday 31 Jan.
    assert filing_deadline(pemilu, D(2024, 1, 22)) == D(2024, 1, 31)


def test_pemilu_skips_election_day_and_the_chinese_new_year_leave(pemilu):
    # Known Tuesday 6 Feb 2024. Working days after it: 7 Feb; 8 Feb (Isra Mi'raj), 9 Feb (cuti bersama),
    # 10-11 Feb (weekend) are skipped; 12, 13 Feb; 14 Feb (voting day) skipped; 15, 16, 19, 20 Feb.
    assert filing_deadline(pemilu, D(2024, 2, 6)) == D(2024, 2, 20)


def test_pemilu_skips_the_idul_fitri_leave(pemilu):
    # Known Thursday 4 Apr 2024; 8-12 and 15 Apr are holidays or cuti bersama.
    # Working days: 5 Apr, 16, 17, 18, 19, 22, 23 Apr.
    assert filing_deadline(pemilu, D(2024, 4, 4)) == D(2024, 4, 23)


def test_pilkada_counts_calendar_days_through_weekends_and_holidays(pilkada):
    assert filing_deadline(pilkada, D(2024, 11, 22)) == D(
        2024, 11, 29
    )  # over voting day 27 Nov and a weekend
    assert filing_deadline(pilkada, D(2024, 12, 24)) == D(2024, 12, 31)  # over Christmas


def test_a_report_on_the_last_day_is_in_time_and_the_day_after_is_late(pemilu, pilkada):
    assert not is_late(pemilu, D(2024, 2, 6), D(2024, 2, 20))
    assert is_late(pemilu, D(2024, 2, 6), D(2024, 2, 21))
    assert not is_late(pilkada, D(2024, 11, 22), D(2024, 11, 29))
    assert is_late(pilkada, D(2024, 11, 22), D(2024, 11, 30))


def test_a_violation_known_on_a_saturday_starts_counting_on_monday():
    assert add_days(D(2024, 1, 20), 1, working=True) == D(2024, 1, 22)

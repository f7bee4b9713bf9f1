DROP TABLE year_ballots;
DROP TABLE year_rating_marks;
DROP TABLE year_rounds;

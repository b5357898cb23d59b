-- Whether a promotion also applies to lines priced at a member price (the product center's price for the buyer's
-- tier). When false, member-priced lines are outside the promotion's scope and the quote says NOT_WITH_MEMBER_PRICE
-- when that leaves it not applying.
ALTER TABLE promotions ADD COLUMN combines_with_member_price boolean NOT NULL DEFAULT true;

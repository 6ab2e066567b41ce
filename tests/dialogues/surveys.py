"""Survey transcripts shared by the web chat's and the channels' tests.

The questionnaire has six questions rated 1-5; a resident answers by button, by the
number of the choice, or by typing the score, and every channel accepts all three.
"""

ALL_FIVES = """
< Câu 1/6
> [Rất hài lòng]
< Câu 2/6
> #5
< Câu 3/6
> 5
< Câu 4/6
> [Rất hài lòng]
< Câu 5/6
> #4
< Câu 6/6
> [Rất hài lòng]
< góp ý
"""
